"""``python -m codepaint_env.integrations.openenv``: ``codepaint openenv`` (:func:`.server.main`)."""

from codepaint_env.integrations.openenv.server import main

raise SystemExit(main())
