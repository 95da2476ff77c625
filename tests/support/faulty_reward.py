"""A reward with a bug in its scoring, for the tests of where a fault lands (``module:Class``).

``codepaint serve --reward support.faulty_reward:JudgeParsingBug`` (``tests/`` on ``PYTHONPATH``)
loads it through :func:`rewards.make_reward`, as any third-party reward is loaded.
"""

from __future__ import annotations

from rewards.base import Reward, RewardResult, Sample

#: A program containing this text makes the reward raise while scoring it.
TRIGGER = "judge-parsing-bug"


class JudgeParsingBug(Reward):
    """Pays 1.0 for a picture; raises ``ValueError`` while scoring a program holding :data:`TRIGGER`.

    The bug a reward can have when it parses a judge's answer: an exception out of ``score``,
    for a request that was in order.
    """

    id = "judge_parsing_bug"
    value_range = (0.0, 1.0)

    def score_one(self, sample: Sample) -> RewardResult:
        """1.0 for a picture, the minimum for a failed render, ``ValueError`` for the trigger."""
        if TRIGGER in sample.code:
            raise ValueError("could not parse the judge's answer: 'Score: ten'")
        if not sample.render.ok:
            return self.failed_render(sample)
        return RewardResult(1.0)
