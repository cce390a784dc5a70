"""Evidence, checkpoint submissions and their versions, and the learner's portfolio."""
