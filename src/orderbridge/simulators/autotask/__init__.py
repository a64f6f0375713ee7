"""simulators/autotask."""
