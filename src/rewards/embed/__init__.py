"""Learned-embedding rewards: ``dino`` (image-image, against the pool) and ``clip`` (prompt-image).

Install with ``pip install 'codepaint[embed]'`` (torch, torchvision, timm, transformers,
open_clip). Importing this package imports none of them; a reward loads its model when made::

    import rewards
    dino = rewards.make_reward("dino", model="vit_small_patch14_dinov2.lvd142m")
    clip = rewards.make_reward("clip", model="ViT-B-32:laion2b_s34b_b79k")

Model names for real use (weights are downloaded on first use into the Hugging Face cache):

``dino`` (any image encoder; see :mod:`rewards.embed.models` for the forms):
    * ``vit_small_patch14_dinov2.lvd142m`` (timm, the default; also ``vit_base_patch14_dinov2.lvd142m``,
      ``vit_small_patch14_reg4_dinov2.lvd142m``);
    * ``facebook/dinov2-small`` / ``facebook/dinov2-base`` (transformers);
    * an open_clip folder: its image tower.

``clip`` (open_clip):
    * ``ViT-B-32:laion2b_s34b_b79k`` (the default), ``ViT-B-16:laion2b_s34b_b88k``,
      ``ViT-B-32-quickgelu:openai``;
    * ``ViT-B-16-SigLIP:webli``, ``hf-hub:timm/ViT-SO400M-14-SigLIP``, ``hf-hub:timm/ViT-B-16-SigLIP``.

Offline (no network on the training machine): every name above also works as a local folder.
Prepare one on a machine with internet and copy it over:

* timm (in Python)::

    import timm
    from timm.models import save_for_hf

    model = timm.create_model("vit_small_patch14_dinov2.lvd142m", pretrained=True)
    save_for_hf(model, "models/dinov2-s", safe_serialization=True)

  or ``huggingface-cli download timm/vit_small_patch14_dinov2.lvd142m --local-dir models/dinov2-s``;
* transformers: ``huggingface-cli download facebook/dinov2-small --local-dir models/dinov2-small``
  (config.json, model.safetensors, preprocessor_config.json);
* open_clip: ``huggingface-cli download laion/CLIP-ViT-B-32-laion2B-s34B-b79K --local-dir models/clip-b32``
  or ``huggingface-cli download timm/ViT-SO400M-14-SigLIP --local-dir models/siglip`` (the repo
  holds open_clip_config.json, the weights and, for SigLIP, the tokenizer files).

then ``make_reward("dino", model="models/dinov2-s")`` / ``make_reward("clip", model="models/clip-b32")``.
Alternatively copy the Hugging Face cache (``~/.cache/huggingface/hub``) and set
``HF_HUB_OFFLINE=1``. A model that cannot be loaded raises
:class:`~codepaint_env.core.errors.CodePaintError` when the reward is made, saying which of these
to do; random weights are never substituted.

Reference embeddings are cached under ``$CODEPAINT_CACHE_DIR/embeddings`` (default
``~/.cache/codepaint/embeddings``), keyed by model, preprocessing and pool content
(:mod:`rewards.embed.cache`).
"""

from __future__ import annotations
