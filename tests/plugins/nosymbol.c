/* A shared object that is not a slotkit plug-in: it lacks the entry symbol. */
int slotkit_not_the_entry(void);
int slotkit_not_the_entry(void) { return 42; }
