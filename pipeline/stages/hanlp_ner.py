"""Stage ``zh_news_hanlp_ner``: a HanLP NER model from a local directory.

Optional backend (``pip install '.[hanlp]'``, hanlp 2.1.5).  The model is a
user's downloaded HanLP NER model or one trained with ``pipeline train ner
--backend hanlp``; it is always loaded from a directory, never by a hub id
(hanlp.load of an id blocks trying to download).  HanLP labels are mapped to
ours with ``label_map``; the rest of the behaviour (which sentences run,
rules masking model spans) is that of ``zh_news_ner``.
"""
from __future__ import annotations

from pathlib import Path

from spacy.language import Language

from ..entities.mention import Mention
from ..errors import ConfigError
from .ner import NerSettings, StatisticalNer, resolve_model_path

DEFAULT_LABEL_MAP = {
    "PERSON": "PERSON", "NR": "PERSON", "PER": "PERSON", "NAME": "PERSON",
    "LOCATION": "PLACE", "NS": "PLACE", "LOC": "PLACE", "GPE": "PLACE", "PLACE": "PLACE",
    "ORGANIZATION": "ORG", "NT": "ORG", "ORG": "ORG",
    "TITLE": "TITLE", "POSITION": "TITLE",
}


def import_hanlp():
    import sys  # noqa: PLC0415

    if "torch" in sys.modules and sys.modules["torch"] is None:
        raise ConfigError("the HanLP backend needs torch, which the `pipeline` command kept out of this "
                          "process: run it again with ZH_NEWS_TORCH=1")
    try:
        import hanlp  # noqa: PLC0415
    except ImportError:
        raise ConfigError("the HanLP backend needs the optional extra: pip install 'zh-news-ie[hanlp]' "
                          "(hanlp==2.1.5 with the CPU build of torch)") from None
    return hanlp


class HanlpNer(StatisticalNer):
    """Run HanLP NER models on characters and map their labels to ours."""

    def __init__(self, settings: NerSettings, label_map: dict[str, str]) -> None:
        self.label_map = {k.upper(): v for k, v in label_map.items()}
        super().__init__(settings)

    def _load(self, names: list[str]) -> list:
        hanlp = import_hanlp()
        return [(Path(m).name, hanlp.load(str(resolve_model_path(m, marker="config.json")))) for m in names]

    def _predict(self, text: str, sentences: list[tuple[int, int]]) -> list[Mention]:
        out: list[Mention] = []
        for name, model in self.models:
            batch = [list(text[s:e]) for s, e in sentences]
            if not batch:
                continue
            for (s, _), ents in zip(sentences, model(batch)):
                for _surface, label, start, end in ents:
                    ours = self.label_map.get(str(label).upper())
                    if ours in self.settings.labels:
                        out.append(Mention(s + start, s + end, ours, text[s + start:s + end], f"hanlp.{name}"))
        return out


@Language.factory(
    "zh_news_hanlp_ner",
    requires=["doc._.places", "doc._.titles"],
    assigns=["doc._.persons", "doc._.model_titles", "doc.spans"],
    default_config={**NerSettings().model_dump(), "label_map": DEFAULT_LABEL_MAP},
)
def make_hanlp_ner(nlp: Language, name: str, models: list[str], labels: list[str], label_map: dict[str, str],
                   triggers: list[str], all_sentences: bool, window: int, spans_key: str,
                   ops: str = "numpy", skip_named: bool = False, rules_dir: str | None = None,
                   window_before: int | None = None) -> HanlpNer:
    settings = NerSettings(models=models, labels=labels, triggers=triggers, all_sentences=all_sentences,
                           window=window, window_before=window_before, skip_named=skip_named, spans_key=spans_key,
                           ops=ops, rules_dir=rules_dir)  # ops: spaCy models only
    return HanlpNer(settings, label_map)
