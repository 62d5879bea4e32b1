"""SOQL: lexer → parser → syntax tree → one SQL statement over the store."""
