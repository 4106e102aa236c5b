-- One database per service on the shared development server.
CREATE DATABASE migreg_registry;
CREATE DATABASE migreg_consular;
CREATE DATABASE migreg_notifications;
-- The console's session records (a table it creates itself).
CREATE DATABASE migreg_console;
