"""songspace: song representations from the Million Song Dataset."""
