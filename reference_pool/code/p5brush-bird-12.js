// A bluebird perched on a budding branch: cobalt back and wings, peach breast, ink beak and eye, pale sky.
function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#f4f3ee');
  brush.scaleBrushes(1.5);

  brush.noStroke();
  brush.fill('#d6e4ef', 170);
  brush.fillBleed(0.35);
  brush.circle(0, -20, 200);

  // branch
  brush.set('2B', '#5a4232', 3);
  brush.spline([[-256, 120], [-100, 95], [60, 110], [256, 80]], 0.5);
  brush.set('HB', '#5a4232', 1.5);
  brush.line(120, 100, 190, 40);
  brush.noStroke();
  brush.fill('#e9a8b4', 220);
  brush.fillBleed(0.2);
  brush.circle(190, 38, 10);
  brush.circle(-180, 102, 9);

  // tail
  brush.fill('#1f4f9a', 220);
  brush.fillBleed(0.15);
  brush.polygon([[-60, 45], [-170, 120], [-150, 135], [-45, 70]]);
  // body
  brush.wash('#3a6fbf', 150);
  brush.beginShape(0.7);
  brush.vertex(-80, 30); brush.vertex(-40, -50); brush.vertex(30, -70); brush.vertex(80, -40); brush.vertex(70, 20); brush.vertex(20, 80); brush.vertex(-40, 70);
  brush.endShape(true);
  brush.circle(70, -55, 34);
  brush.polygon([[-60, 45], [-165, 122], [-150, 132], [-45, 70]]);
  brush.wash('#f0a46c', 170);
  brush.beginShape(0.8);
  brush.vertex(70, -10); brush.vertex(75, 30); brush.vertex(30, 80); brush.vertex(0, 60); brush.vertex(30, 10);
  brush.endShape(true);
  brush.noWash();
  brush.fill('#2f66b8', 230);
  brush.fillBleed(0.2);
  brush.fillTexture(0.5, 0.6);
  brush.beginShape(0.7);
  brush.vertex(-80, 30); brush.vertex(-40, -50); brush.vertex(30, -70); brush.vertex(80, -40); brush.vertex(70, 20); brush.vertex(20, 80); brush.vertex(-40, 70);
  brush.endShape(true);
  // breast
  brush.fill('#eba06a', 230);
  brush.fillBleed(0.2);
  brush.beginShape(0.8);
  brush.vertex(70, -10); brush.vertex(75, 30); brush.vertex(30, 80); brush.vertex(0, 60); brush.vertex(30, 10);
  brush.endShape(true);
  // wing
  brush.fill('#1b3f82', 220);
  brush.fillBleed(0.15);
  brush.beginShape(0.6);
  brush.vertex(-60, 0); brush.vertex(10, -30); brush.vertex(30, 10); brush.vertex(-40, 50);
  brush.endShape(true);
  // head
  brush.fill('#2a5cab', 230);
  brush.circle(70, -55, 36);
  // beak, eye, legs
  brush.wash('#2b2b2b', 240);
  brush.polygon([[100, -60], [125, -52], [100, -46]]);
  brush.circle(80, -62, 5);
  brush.noWash();
  brush.set('HB', '#3a2a20', 1.2);
  brush.line(20, 78, 15, 102);
  brush.line(35, 76, 38, 100);
}
