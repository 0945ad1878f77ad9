"""Operations: running Sightline as processes (replicas, retention, the admin token's
resolution, a private temp dir), below the API that uses them."""
