"""API endpoints, one module per resource; annotations.api.urls maps URLs onto them.

Permissions come from annotations.access, writes go through the services; Django's
ValidationError becomes 400 and Conflict 409 (annotations.api.exceptions).

- tokens: your personal API tokens
- projects: projects, memberships and their vocabularies (labels, claim types, threat levels)
- actors: the actor registry
- articles: articles, and importing files of them
- annotation_sets, spans, claims, threat_assessments: annotations and what they hold
- review: assignments, approving or sending back sets, comments, agreement
- adjudication: decisions on merged items and approving the gold set
- releases: dataset releases and their files
- common: the project scope every endpoint under /projects/<slug>/ shares, and lookups
"""
