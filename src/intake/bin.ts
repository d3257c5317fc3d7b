import { runMain } from '../io.js';
import { main } from './main.js';

runMain(main);
