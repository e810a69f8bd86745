"""Stage 3: the state of a running model, the step relation, dependence, and the search
strategies over schedules (`dpor`, `exhaustive`, `stateful`)."""
