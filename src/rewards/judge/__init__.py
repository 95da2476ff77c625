"""The VLM judge.

An OpenAI-compatible client, rubric prompts, pairwise/pointwise/group rewards and a stand-in server.
"""
