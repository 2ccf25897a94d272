"""phasegate's ComponentResources, one per concern, and the pure logic they are built from."""
