"""The shortest complete loop: make the env, reset, submit a program, read the reward.

    .venv/bin/python examples/gym_quickstart.py

The "policy" here replays a reference sketch from the pool for the task's subject; put your
model's completion (fenced or not) in its place.
"""

import gymnasium as gym

import codepaint_env  # noqa: F401  (registers the CodePaint/* ids)
from rewards.pool import ReferencePool

env = gym.make("CodePaint/P5Brush-v0", reward="classic", max_turns=2, size=384)
obs, info = env.reset(seed=0)
print("task:", obs["prompt"])

task = env.get_wrapper_attr("task")  # the task reset drew: the reference shares its subject
reference = ReferencePool().filter(language="p5brush", tier="okay").sample(1, 0, match=task)[0]
print("replaying:", reference.id, f"(subject {reference.subject}; the task's is {task.subject})")
completion = f"Here is my painting:\n```js\n{reference.code()}\n```"  # <- your model's answer
obs, reward, terminated, truncated, info = env.step(completion)
if not info["judged"]:  # the machine could not render or judge it (overloaded, a judge down): not a score
    print(f"turn 1: not judged: {info['reward']['reason']} (drop this step; the episode goes on)")
print(
    f"turn 1: reward {reward:.3f}; render ok: {info['render']['ok']}; breakdown {info['reward']['breakdown']}"
)

obs, reward, terminated, truncated, info = env.step(completion + "\n// tweak nothing")  # a no-op edit
print(f"turn 2: reward {reward:.3f}; no visible change: {info['no_change']}; done: {terminated}")
print(obs["feedback"])
env.close()
