"""Operations: running Sightline as several processes on one machine."""
