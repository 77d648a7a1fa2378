// A load thread's entry (--threads): the Worker runs this module, which serves the main thread.
import { serve } from "./thread_main.ts";

serve();
