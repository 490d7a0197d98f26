<?php echo "acme shop";
