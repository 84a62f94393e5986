from .coaching import AccuracySignal, CoachingNote, Goal, GoalStatus, SignalKind
from .reviews import Review, Sample, SamplingRun, Score
from .rubrics import Criterion, Program, Rubric, RubricVersion, SubjectKind

__all__ = [
    "AccuracySignal",
    "CoachingNote",
    "Criterion",
    "Goal",
    "GoalStatus",
    "Program",
    "Review",
    "Rubric",
    "RubricVersion",
    "Sample",
    "SamplingRun",
    "Score",
    "SignalKind",
    "SubjectKind",
]
