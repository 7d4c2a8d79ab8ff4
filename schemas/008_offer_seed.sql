-- An offer keeps how it was chosen: its method (since 002) and, for a lottery, the seed of the draw, so the
-- next candidate after a decline can be drawn the same way. NULL for the waiting-list and quota methods.
ALTER TABLE offer ADD COLUMN seed BIGINT;
