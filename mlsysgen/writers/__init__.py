"""Writers: package rendered chapter fragments into an output format."""
