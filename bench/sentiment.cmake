# Sentiment accuracy and whole-analysis throughput, beside Pattern.
#   make eval-sentiment           accuracy on the development sets
#   make bench-sentiment-speed    MB/s on OrangeSum news texts
# Both read ../shared/data beside the repository and skip what is absent.
add_executable(eval_sentiment eval_sentiment.c)
target_compile_options(eval_sentiment PRIVATE ${AVIS_WARNINGS})
target_link_libraries(eval_sentiment PRIVATE avis)

add_custom_target(eval-sentiment
  COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/eval_sentiment.py
          --bin $<TARGET_FILE:eval_sentiment> --data-dir ${PROJECT_SOURCE_DIR}
  DEPENDS eval_sentiment
  USES_TERMINAL)

add_custom_target(bench-sentiment-speed
  COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/sentiment_throughput.sh
          $<TARGET_FILE:eval_sentiment>
  DEPENDS eval_sentiment
  USES_TERMINAL)
