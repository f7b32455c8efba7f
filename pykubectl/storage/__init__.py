"""Storage: PV/PVC binding, provisioning and reclaiming, and where volumes keep their files."""
