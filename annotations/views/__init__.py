"""The browser views, one module per page area; annotations.urls maps URLs onto them.

- projects: the project list, a project's articles, the annotator's queue, uploading articles
- annotate: the annotate page and its htmx endpoints (spans, actors, claims, threat, submit)
- project_settings: what managers configure (labels, claim types, threat scale, guidelines,
  the actor registry); named after the navigation's "Project settings" group, and not
  `settings`, which reads as Django's
- assignments, review, adjudication, history, agreement: the review pages
- releases: dataset releases
- common: what every view shares (htmx-aware rendering, refusals, form parameters)
"""
