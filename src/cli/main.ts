/** Entry point of the `vmlet` command: dispatches to one file per subcommand (foundation issue). */
import { EXIT_BAD_INPUT } from '../errors.js';

process.stderr.write('vmlet: not built yet\n');
process.exitCode = EXIT_BAD_INPUT;
