"""The soak suite's parts: the app it serves, in-process drivers, a checking client, the runner."""
