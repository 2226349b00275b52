-- A privacy notice in the other interface languages: a JSON object of language code → text. Every
-- language's text is the same version, so consent under one is consent under all.
ALTER TABLE privacy_notices ADD COLUMN translations TEXT NOT NULL DEFAULT '{}';
