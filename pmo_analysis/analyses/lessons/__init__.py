"""Lessons learned: recurring problems, follow-through of actions, lessons for running projects.

One module per concern, everything imported from here: :mod:`~pmo_analysis.analyses.lessons.counts`
(the register prepared, and counted), :mod:`~pmo_analysis.analyses.lessons.themes` (themes and recurring
problems), :mod:`~pmo_analysis.analyses.lessons.matching` (lessons for running projects, search) and
:mod:`~pmo_analysis.analyses.lessons.text` (the terms, in English and Chinese).

Text is read in one concept space for English and Chinese (:mod:`pmo_analysis.analyses.lessons.text`):
Chinese words reach the English terms they mean through the PMO glossary and CC-CEDICT, so the
same problem written in either language has the same terms.

Themes
    Category themes: the lesson's category (never "Uncategorized" or another placeholder). Text
    themes: first the problems of the problem list (:mod:`~pmo_analysis.analyses.lessons.problems`),
    each lesson's decided from its cues, its likeness to the problem's reference lessons and its
    neighbours in meaning (:mod:`~pmo_analysis.analyses.lessons.meaning`), and what the reference
    lessons' words say of its words (:mod:`~pmo_analysis.analyses.lessons.ngrams`); then groups of the other
    ``to_improve`` lessons found by spherical k-means in the concept space, with
    the groups that are one problem merged (:func:`lesson_themes`), and every text theme cohesive
    (:data:`MIN_COHESION`): a miscellany is split into the problems it holds and the rest is "Other
    lessons" (:data:`OTHER_THEME`). A theme is **recurring** when ``to_improve`` lessons about it
    come from at least ``min_projects`` distinct projects; "Other lessons" never is.
Owners
    Owner names are normalised through :data:`pmo_analysis.core.config.OWNER_ALIASES` (PMO =
    项目管理办公室), so one owner is counted once.
"""

from pmo_analysis.analyses.lessons.counts import (
    action_followthrough,
    high_impact_done_share,
    lessons_by_category,
    normalise_owners,
    open_actions,
    overview,
    prepare,
    quarterly_trend,
    went_well,
)
from pmo_analysis.analyses.lessons.matching import (
    SEARCH_EXAMPLES,
    lessons_for_projects,
    search_examples,
    search_lessons,
)
from pmo_analysis.analyses.lessons.meaning import reference_lessons_per_problem
from pmo_analysis.analyses.lessons.problems import PROBLEMS
from pmo_analysis.analyses.lessons.text import GLOSSARY, SYNONYMS, tokenize
from pmo_analysis.analyses.lessons.themes import (
    MIN_COHESION,
    MISSING_CATEGORIES,
    OTHER_THEME,
    LessonThemes,
    assign_themes,
    fixes_that_did_not_stick,
    in_language,
    lesson_themes,
    recurring_themes,
)

__all__ = [
    "PROBLEMS",
    "reference_lessons_per_problem",
    "tokenize",
    "prepare",
    "lessons_by_category",
    "overview",
    "quarterly_trend",
    "lesson_themes",
    "LessonThemes",
    "recurring_themes",
    "assign_themes",
    "normalise_owners",
    "MISSING_CATEGORIES",
    "MIN_COHESION",
    "OTHER_THEME",
    "GLOSSARY",
    "SYNONYMS",
    "open_actions",
    "action_followthrough",
    "fixes_that_did_not_stick",
    "in_language",
    "lessons_for_projects",
    "went_well",
    "search_lessons",
    "high_impact_done_share",
    "search_examples",
    "SEARCH_EXAMPLES",
]
