"""Transforms: tree → tree passes over every chapter, ordered by priority."""
