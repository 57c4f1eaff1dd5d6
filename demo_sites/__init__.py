"""The Masthead demo family: five independent apps joined only by the bar and app tokens."""
