from tests.quality.conftest import gold_article, hand_in

__all__ = ["gold_article", "hand_in"]
