"""Attach counts and amounts to places with a small learned ranker (issue 12).

``candidates`` lists the places a fact could belong to, ``features`` describes
each (fact, candidate) pair, ``ranker`` scores them with a linear model stored
as plain JSON, and ``train`` collects labelled examples from gold articles.
The hand rules of :mod:`pipeline.relations` stay: their choice is a feature,
and they decide alone when no model is configured.
"""
from .candidates import Candidate, FactCandidates, candidates_for
from .features import FeatureContext, featurise
from .ranker import Ranker, load_ranker

__all__ = ["Candidate", "FactCandidates", "FeatureContext", "Ranker", "candidates_for", "featurise",
           "load_ranker"]
