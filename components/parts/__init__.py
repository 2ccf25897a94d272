"""The parts every stack is built from (network, database, cache, assets, load balancer, CDN, alerts, billing,
security groups, hardened EC2): one ComponentResource or helper per concern, each taking one typed args object."""
