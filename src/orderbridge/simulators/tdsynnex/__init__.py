"""simulators/tdsynnex."""
