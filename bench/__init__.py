"""`make bench`: synthetic stores at three scales, import and page timings, peak memory."""
