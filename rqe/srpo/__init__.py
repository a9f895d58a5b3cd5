"""SRPO: strategic risk-averse policy optimisation for collaborative multi-agent learning."""
