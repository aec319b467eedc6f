-- 0012 the second passage an answer quoted. When the section model cannot
-- tell the two best sections apart the answer quotes both, so a "Helpful"
-- may be for either; kb gaps shows both, and the organiser confirms the
-- first (kb confirm) or points the question at the other (kb link).
ALTER TABLE kb_questions ADD COLUMN also_quoted TEXT NOT NULL DEFAULT '';
