pytest_plugins = ["sangathan.testing"]
