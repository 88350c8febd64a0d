from annotations import services
from tests.api.conftest import token_client


def test_it_says_whether_a_comment_is_on_the_threat_assessment(project, annotation_set, reviewer):
    services.threat_assessment_set(
        annotation_set=annotation_set, level=project.threat_levels.get(name="severe")
    )
    services.annotation_set_submit(annotation_set=annotation_set)
    rita = token_client(reviewer)
    url = f"/api/v1/projects/demo/annotation-sets/{annotation_set.pk}/comments/"
    on_set = rita.post(url, {"body": "Whole set: fine."}, format="json")
    on_threat = rita.post(
        url, {"body": "Too high for rhetoric.", "threat_assessment": True}, format="json"
    )
    assert on_set.status_code == 201, on_set.content
    assert on_threat.status_code == 201, on_threat.content
    assert on_set.json()["threat_assessment"] is False
    assert on_threat.json()["threat_assessment"] is True
    listed = {c["body"]: c["threat_assessment"] for c in rita.get(url).json()["results"]}
    assert listed == {"Whole set: fine.": False, "Too high for rhetoric.": True}
