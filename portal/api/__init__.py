"""The portal's REST API (`/api/v1/`): read and write endpoints over every app, API tokens."""
