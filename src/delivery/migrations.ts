import { Annotations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { DeliveryOptions } from './delivery-options';
import { invalidProp } from '../private/validation';
import { libraryWarningId } from '../private/warnings';

/** What the deprecated `runMigrations: true` ran before migrations became opt-in; only that flag still implies it. */
const FORMER_DEFAULT_COMMAND = ['npm', 'run', 'migration:run'];

/**
 * The migration command of delivery options, or undefined when no migrations run: only a command the user gave (or
 * the deprecated `runMigrations: true`) runs anything in their image. Warns about the deprecated flag.
 * @param prefix how the user wrote the options' path (`pipeline.` in a platform, empty on the pipeline itself)
 */
export function migrationCommandOf(scope: IConstruct, prefix: string, options: DeliveryOptions): string[] | undefined {
  const { runMigrations, migrationCommand } = options;
  if (runMigrations !== undefined) {
    const implied = runMigrations && migrationCommand === undefined ? ` and true runs the former default ${JSON.stringify(FORMER_DEFAULT_COMMAND)}` : '';
    Annotations.of(scope).addWarningV2(libraryWarningId('runMigrations'),
      `${prefix}runMigrations is ${runMigrations}: it is deprecated${implied}; migrations run exactly when ${prefix}migrationCommand is set `
      + `(e.g. ${prefix}migrationCommand: ["npm", "run", "migration:run"]), so give the command there and drop ${prefix}runMigrations`);
  }
  if (runMigrations === false) return undefined;
  return migrationCommand ?? (runMigrations === true ? FORMER_DEFAULT_COMMAND : undefined);
}

/** Checks (for the caller's `checkAll`) that refuse migration options which would be ignored. */
export function migrationChecks(scope: IConstruct, prefix: string, options: DeliveryOptions): Array<() => void> {
  const { runMigrations, migrationCommand, migrationTimeout } = options;
  return [
    () => {
      if (migrationCommand !== undefined && runMigrations === false) {
        invalidProp(scope, `${prefix}migrationCommand`, migrationCommand, 'runMigrations is false, so the command would never run; drop one of the two');
      }
    },
    () => {
      if (migrationTimeout !== undefined && migrationCommand === undefined && runMigrations !== true) {
        invalidProp(scope, `${prefix}migrationTimeout`, migrationTimeout.toString(),
          `no migrations run, so the timeout would be ignored; give ${prefix}migrationCommand (e.g. ["npm", "run", "migration:run"]) or drop it`);
      }
    },
  ];
}
