"""The three benchmark apps; each is imported alone, in its own process (worker or producer)."""
