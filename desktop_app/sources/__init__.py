"""Sources: where frames come from (camera, video file, folder of images). No Qt."""
