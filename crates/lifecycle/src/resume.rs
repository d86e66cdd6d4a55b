//! (filled in by the move of the handlers' logic)
