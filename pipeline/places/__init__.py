"""Places: the national gazetteer, place recognition and linking to division codes.

* :mod:`.gazetteer` — the Ministry of Civil Affairs divisions (province to
  township) with the surface forms news writes them in;
* :mod:`.forms` — how those forms are derived (rules in ``gazetteer.yaml``);
* :mod:`.suffix` — places found by an administrative suffix (villages,
  communities, zones) and anaphors (该镇);
* :mod:`.finder` — both together, validated;
* :mod:`.linker` — a division code, level and parent chain per place name.

The spaCy stage ``zh_news_places`` (:mod:`pipeline.stages.places`) wraps the
linker.
"""
