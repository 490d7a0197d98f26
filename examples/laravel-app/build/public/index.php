<?php
// The app's front controller (a placeholder: the example deploys files, it does not serve them).
echo "Hello from the example Laravel app\n";
