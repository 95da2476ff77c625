// A single peach hibiscus, centred and opened flat to the viewer, its petals bleeding into each other on warm paper.
// Written for the task from the loved reference p5brush-hibiscus-02 (its petal shape and layering): one flower,
// no bud or branch, a warmer paper, wetter petals, two leaves behind it.
function petal(angle, len, wid, col, op) {
  push();
  rotate(angle);
  brush.fill(col, op);
  brush.beginShape(0.6);
  brush.vertex(0, 0);
  brush.vertex(-wid * 0.5, -len * 0.45);
  brush.vertex(-wid * 0.45, -len * 0.9);
  brush.vertex(-wid * 0.1, -len);
  brush.vertex(wid * 0.25, -len * 0.96);
  brush.vertex(wid * 0.5, -len * 0.75);
  brush.vertex(wid * 0.45, -len * 0.35);
  brush.endShape(true);
  pop();
}

function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#f6e9d4');

  // two leaves behind the flower
  brush.noStroke();
  brush.fillBleed(0.3);
  brush.fillTexture(0.4, 0.35);
  brush.fill('#81b29a', 230);
  brush.polygon([[-30, 60], [-150, 150], [-230, 140], [-120, 70]]);
  brush.fill('#5f8f6e', 230);
  brush.polygon([[40, 40], [170, 90], [235, 60], [130, 10]]);

  // the flower: outer petals, a second wetter layer, a deep heart
  push();
  translate(-10, 0);
  brush.set('HB', '#b4553a', 0.4);
  brush.fillBleed(0.5);
  brush.fillTexture(0.55, 0.5);
  for (let i = 0; i < 5; i++) petal(i * 72 + 8, 200, 160, i % 2 ? '#f4a582' : '#f39b70', 245);
  brush.noStroke();
  brush.fillBleed(0.35);
  for (let i = 0; i < 5; i++) petal(i * 72 + 20, 140, 100, '#e9805a', 200);
  brush.fillBleed(0.15);
  for (let i = 0; i < 5; i++) petal(i * 72 + 8, 62, 50, '#c93f48', 245);
  pop();

  // stamen
  brush.noFill();
  brush.set('pen', '#d98a2b', 2.2);
  brush.spline([[-10, 0], [20, -70], [60, -125]], 0.6);
  brush.set('charcoal', '#f2cc8f', 1.7);
  for (let k = 0; k < 6; k++) brush.circle(60 + random(-16, 16), -128 + random(-14, 10), 4);
  brush.set('charcoal', '#c2364a', 1.8);
  brush.circle(66, -142, 6);
}
