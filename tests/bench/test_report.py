from bench.__main__ import markdown, table


def test_the_tables_show_nested_figures_under_dotted_names():
    databases = {
        "postgresql": {
            "sizes": {
                "1000": {
                    "release": {"seconds": 4.98, "formats": 9},
                    "learning": {
                        "span_training": {"seconds": 192.89, "includes": "3 trainings"},
                        "learning_curve": [{"articles": 50, "f1": 1.0}],
                        "error_rate": None,
                    },
                }
            }
        }
    }
    report = {"databases": databases, "targets": []}
    lines = markdown(report).splitlines()
    assert "| release seconds | 4.98 |" in lines
    assert "| learning span_training.seconds | 192.89 |" in lines
    assert "| learning span_training.includes | 3 trainings |" in lines
    assert '| learning learning_curve | [{"articles": 50, "f1": 1.0}] |' in lines
    assert "| learning error_rate | None |" in lines
    assert "learning span_training.seconds" in table(databases)
