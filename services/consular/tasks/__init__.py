"""Follow-up tasks for officers: things a person must do (call a family not reached)."""
