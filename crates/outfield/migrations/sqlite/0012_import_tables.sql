-- Uploads waiting for confirmation now keep the table read at upload, not the uploaded file; the few
-- kept the old way (they live one day) are dropped, so that no page ever parses a stored file.
DELETE FROM imports;
