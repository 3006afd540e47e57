# `make bench_topics`: topic and sentiment classification against fastText
# and scikit-learn (bench/topics/compare.py); skips without the data.
add_custom_target(bench_topics
  COMMAND /usr/bin/python3 ${CMAKE_CURRENT_LIST_DIR}/compare.py
          $<TARGET_FILE:avis_cli> ${PROJECT_SOURCE_DIR}
  DEPENDS avis_cli
  USES_TERMINAL)
